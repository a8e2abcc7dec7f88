"""Index order for tricky titles and names."""

import pytest

from programme.sorting import (NameError_, file_name, index_letter, inverted_name, name_heading,
                               name_key, script_heading, sort_key, strip_article)


def order(*titles_and_langs):
    items = [t if isinstance(t, tuple) else (t, None) for t in titles_and_langs]
    return [t for t, _ in sorted(items, key=lambda item: sort_key(*item))]


def test_leading_articles_ignored_in_each_language():
    assert strip_article("The Hunt", "en") == "Hunt"
    assert strip_article("Les Misérables", "fr") == "Misérables"
    assert strip_article("L’Avventura", "it") == "Avventura"
    assert strip_article("L'Atalante", "fr") == "Atalante"
    assert strip_article("Der Himmel über Berlin", "de") == "Himmel über Berlin"
    assert strip_article("El laberinto del fauno", "es") == "laberinto del fauno"
    assert strip_article("Das Boot", "de") == "Boot"
    assert strip_article("Τα γράμματα της Ελένης", "el") == "γράμματα της Ελένης"
    # an article alone, or a word that only starts like one, is kept
    assert strip_article("The", "en") == "The"
    assert strip_article("Theorem", "en") == "Theorem"
    assert strip_article("Lesbos", "fr") == "Lesbos"
    # "Die" is an article in German but a verb in English
    assert strip_article("Die Hard", "en") == "Die Hard"
    assert strip_article("Die Blechtrommel", "de") == "Blechtrommel"


def test_accents_fold_and_case_is_ignored():
    assert order("Ezra", "Élan", "eden", "Échos") == ["Échos", "eden", "Élan", "Ezra"]
    assert order("Ostia", "Öresund", "Orphée") == ["Öresund", "Orphée", "Ostia"]
    assert order("Ocean", "Œdipus", "Odd") == ["Ocean", "Odd", "Œdipus"]


def test_numbers_first_in_numeric_order():
    assert order("Zelig", "10 Items", "2 Days in Paris", "A Prophet", "8½") == \
        ["2 Days in Paris", "8½", "10 Items", "A Prophet", "Zelig"]
    assert index_letter("7 Days in Lisbon") == "0–9"


def test_non_latin_after_latin_grouped_by_script():
    titles = ["Холодный меридиан", "Zorro", "鬼子来了", "Αλέξης", "Аэлита", "שלום", "Abba"]
    assert order(*titles) == ["Abba", "Zorro", "Αλέξης", "Аэлита", "Холодный меридиан", "שלום",
                              "鬼子来了"]
    # a script's heading names it: a Cyrillic Х or В would read as a Latin X or B
    assert index_letter("Холодный меридиан") == "Cyrillic"
    assert index_letter("Война и мир") == "Cyrillic"
    assert index_letter("Αλέξης") == "Greek"
    assert index_letter("שלום") == "Hebrew"
    assert index_letter("鬼子来了") == "Chinese, Japanese and Korean"


def test_script_headings_in_the_brochures_language():
    assert index_letter("Война и мир", "ru", heading_lang="fr") == "Cyrillique"
    assert index_letter("Βαλς", "el", heading_lang="de") == "Griechisch"
    assert index_letter("وجدة", "ar", heading_lang="en-GB") == "Arabic script"
    # a language without its own headings gets the English ones
    assert index_letter("万引き家族", "ja", heading_lang="fi") == "Chinese, Japanese and Korean"
    assert script_heading("Cher") == "Cher"  # a script without a heading: its Unicode name


def test_lookalike_letters_are_never_latin_headings():
    for title in ["Βαλς", "Αλέξης", "Ελένη", "Война", "Вера", "Аэлита", "Ночь", "Тень", "Сон"]:
        heading = index_letter(title)
        assert heading in ("Greek", "Cyrillic"), (title, heading)
    assert index_letter("Élan") == "E" and index_letter("Ørsted") == "O"


def test_symbols_and_numbers():
    assert index_letter("★") == "#"
    assert index_letter("²") == "0–9"
    assert order("★", "Zorro", "²", "Вера") == ["²", "Zorro", "Вера", "★"]


def test_punctuation_and_quotes_skipped():
    assert order("“Zorro”", "...And Justice", "Babel") == ["...And Justice", "Babel", "“Zorro”"]


def test_names_family_name_first():
    assert inverted_name("Jacques Audiard") == "Audiard, Jacques"
    assert inverted_name("Madonna") == "Madonna"
    names = ["Jacques Audiard", "Agnès Varda", "Pedro Almodóvar", "Chantal Akerman"]
    assert sorted(names, key=name_key) == ["Chantal Akerman", "Pedro Almodóvar", "Jacques Audiard",
                                           "Agnès Varda"]


def test_korean_files_by_syllable_under_the_script_heading():
    assert order("하녀", "괴물", "가족의 탄생") == ["가족의 탄생", "괴물", "하녀"]
    assert index_letter("괴물") == index_letter("하녀") == "Chinese, Japanese and Korean"


# ------------------------------------------------------------------------------ names
@pytest.mark.parametrize("written, printed, filed", [
    ("Jacques Audiard", "Jacques Audiard", "Audiard, Jacques"),
    ("Madonna", "Madonna", "Madonna"),
    ("Rithy Panh", "Rithy Panh", "Panh, Rithy"),
    # lower-case particles stay with the given names, capitalised ones file with the family
    ("Lars von Trier", "Lars von Trier", "Trier, Lars von"),
    ("Manoel de Oliveira", "Manoel de Oliveira", "Oliveira, Manoel de"),
    ("Gus Van Sant", "Gus Van Sant", "Van Sant, Gus"),
    ("Vittorio De Sica", "Vittorio De Sica", "De Sica, Vittorio"),
    ("Jan Van der Berg", "Jan Van der Berg", "Van der Berg, Jan"),
    # "Family, Given": printed given name first, filed as written, never a trailing comma
    ("Kim, Ki-duk", "Ki-duk Kim", "Kim, Ki-duk"),
    ("Almodóvar Caballero,  Pedro", "Pedro Almodóvar Caballero", "Almodóvar Caballero, Pedro"),
    ("Martin Luther King Jr.", "Martin Luther King Jr.", "King, Martin Luther, Jr."),
    ("King, Martin Luther, Jr.", "Martin Luther King Jr.", "King, Martin Luther, Jr."),
    ("Sammy Davis, Jr.", "Sammy Davis, Jr.", "Davis, Sammy, Jr."),
    # Chinese, Japanese and Korean script: as written
    ("王家卫", "王家卫", "王家卫"),
    ("김기덕", "김기덕", "김기덕"),
    ("黒沢 清", "黒沢 清", "黒沢 清"),
    # other scripts are written given name first
    ("Андрей Звягинцев", "Андрей Звягинцев", "Звягинцев, Андрей"),
    ("J.\u00a0R.\u00a0R. Tolkien", "J.\u00a0R.\u00a0R. Tolkien", "Tolkien, J.\u00a0R.\u00a0R."),
])
def test_names_without_fields(written, printed, filed):
    name = file_name(written)
    assert (name.printed, name.filed) == (printed, filed)
    assert not name.filed.endswith(",")


@pytest.mark.parametrize("written, family, filed", [
    ("Kim Ki-duk", "Kim", "Kim Ki-duk"),                 # family name first: as written
    ("Tarr Béla", "Tarr", "Tarr Béla"),
    ("Wong Kar-wai", "Wong", "Wong Kar-wai"),
    ("김기덕", "김", "김기덕"),
    ("Béla Tarr", "Tarr", "Tarr, Béla"),                 # given name first: inverted
    ("Pedro Almodóvar Caballero", "Almodóvar Caballero", "Almodóvar Caballero, Pedro"),
    ("Pedro Almodóvar Caballero", "almodovar caballero", "Almodóvar Caballero, Pedro"),
    ("Guillermo del Toro", "del Toro", "del Toro, Guillermo"),
    ("Baltasar Kormákur", "Baltasar Kormákur", "Baltasar Kormákur"),  # the whole name
])
def test_names_with_a_family_field(written, family, filed):
    name = file_name(written, family)
    assert (name.printed, name.filed) == (written, filed)


@pytest.mark.parametrize("written, family", [
    ("Kim, Ki-duk", "Kim"), ("Kim Ki-duk", "Ki"), ("Kim Ki-duk", "Lee"), ("Kim", "Kim Ki-duk"),
])
def test_a_family_name_not_in_the_name_is_an_error(written, family):
    with pytest.raises(NameError_):
        file_name(written, family)


@pytest.mark.parametrize("written", ["Kim,", ", Ki-duk", "A, B, C"])
def test_commas_that_cannot_be_read(written):
    with pytest.raises(NameError_):
        file_name(written)


def test_names_sort_by_family_then_given_names():
    names = ["Gus Van Sant", "Agnès Varda", "Kim, Ki-duk", "Kim, Jee-woon", "Lars von Trier",
             "Haifaa al-Mansour", "Nanni Moretti", "Jacques Audiard", "王家卫", "Андрей Звягинцев"]
    assert [inverted_name(n) for n in sorted(names, key=name_key)] == [
        "Audiard, Jacques", "Kim, Jee-woon", "Kim, Ki-duk", "al-Mansour, Haifaa",
        "Moretti, Nanni", "Trier, Lars von", "Van Sant, Gus", "Varda, Agnès",
        "Звягинцев, Андрей", "王家卫"]
    # al- is not filed: the family name is
    assert name_heading("Haifaa al-Mansour") == ("M", "Latn")
    assert name_heading("王家卫") == ("Chinese, Japanese and Korean", "CJK")
    # a family name that starts like an article is not one ("Das, Nandita" under D)
    assert name_heading("Nandita Das")[0] == "D"
    assert sorted(["Nandita Das", "Ana Lily Amirpour"], key=name_key) == \
        ["Ana Lily Amirpour", "Nandita Das"]
