"""Index order for tricky titles and names."""

from programme.sorting import index_letter, inverted_name, name_key, sort_key, strip_article


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
    assert index_letter("Холодный меридиан") == "Х"


def test_punctuation_and_quotes_skipped():
    assert order("“Zorro”", "...And Justice", "Babel") == ["...And Justice", "Babel", "“Zorro”"]


def test_names_family_name_first():
    assert inverted_name("Jacques Audiard") == "Audiard, Jacques"
    assert inverted_name("Madonna") == "Madonna"
    names = ["Jacques Audiard", "Agnès Varda", "Pedro Almodóvar", "Chantal Akerman"]
    assert sorted(names, key=name_key) == ["Chantal Akerman", "Pedro Almodóvar", "Jacques Audiard",
                                           "Agnès Varda"]


def test_korean_files_by_syllable_under_its_initial_consonant():
    assert order("하녀", "괴물", "가족의 탄생") == ["가족의 탄생", "괴물", "하녀"]
    assert index_letter("괴물") == "ㄱ"
    assert index_letter("하녀") == "ㅎ"
