"""Build refcheck: the metadata is in setup.cfg; this adds templates/ to the package and compiles catalogues.

The repository keeps its templates beside the package, where people look for them; an installed
refcheck (a wheel, `pip install .`) carries them inside it, as refcheck/templates, so it needs no
checkout to render a page or an email.

Translations are kept as .po files, which people edit; gettext reads compiled .mo files, so every
install (`pip install -e .` in `make run` and `make test` too) compiles them first, beside the .po.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
TRANSLATIONS = HERE / "refcheck" / "translations"
template_packages = ["refcheck.templates"] + [
    "refcheck.templates." + ".".join(path.relative_to(TEMPLATES).parts)
    for path in sorted(TEMPLATES.rglob("*")) if path.is_dir() and path.name != "__pycache__"
]


def compile_catalogues() -> None:
    """Write each messages.po as the messages.mo gettext reads; a fuzzy entry is left out, as msgfmt does."""
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalogue)


class BuildWithCatalogues(build_py):
    """Compile the catalogues before the package's files are gathered, so the .mo files go with them."""

    def run(self) -> None:
        """Compile, then build as usual."""
        compile_catalogues()
        super().run()


setup(
    cmdclass={"build_py": BuildWithCatalogues},
    packages=find_namespace_packages(include=["refcheck*"]) + template_packages,
    package_dir={"refcheck.templates": "templates"},
    package_data={
        "refcheck.static": ["*.css", "*.js"], "refcheck.static.report": ["*.css", "*.svg", "*.png"],
        "refcheck.migrations": ["*.ini", "*.mako", "*.py"], "refcheck.migrations.versions": ["*.py"],
        "refcheck.translations": ["*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
        **{name: ["*.html", "*.txt"] for name in template_packages},
    },
)
