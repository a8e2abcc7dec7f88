"""What pyproject.toml cannot say: the packages to install.

Everything else (name, version, dependencies, package data) is in pyproject.toml.

- ``programme`` and every subpackage of it (any folder of it, with an ``__init__.py`` or
  not), found, so a new subpackage ships without a change here;
- the built-in layouts and fonts, which stay at the top of the checkout (the shape of a
  festival project: ``layouts/`` beside ``fonts/``, so the layouts' ``../../fonts/fonts.css``
  works), mapped into the package as ``programme/layouts`` and ``programme/fonts``: a wheel
  holds them, still side by side;
- the starter project ``programme new`` copies (``programme/starter``).

``programme/resources.py`` finds them in either place at run time.
"""

from setuptools import find_namespace_packages, setup

DATA_FOLDERS = {"programme.layouts": "layouts", "programme.fonts": "fonts"}

setup(
    packages=[*find_namespace_packages(include=["programme", "programme.*"],
                                       exclude=["*__pycache__", "programme.starter.*"]),
              *DATA_FOLDERS],
    package_dir=DATA_FOLDERS,
)
