"""Build refcheck: the metadata is in setup.cfg; this adds the top-level templates/ to the package.

The repository keeps its templates beside the package, where people look for them; an installed
refcheck (a wheel, `pip install .`) carries them inside it, as refcheck/templates, so it needs no
checkout to render a page or an email.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

TEMPLATES = Path(__file__).parent / "templates"
template_packages = ["refcheck.templates"] + [
    "refcheck.templates." + ".".join(path.relative_to(TEMPLATES).parts)
    for path in sorted(TEMPLATES.rglob("*")) if path.is_dir() and path.name != "__pycache__"
]

setup(
    packages=find_namespace_packages(include=["refcheck*"]) + template_packages,
    package_dir={"refcheck.templates": "templates"},
    package_data={
        "refcheck.static": ["*.css", "*.js"], "refcheck.static.report": ["*.css", "*.svg", "*.png"],
        "refcheck.migrations": ["*.ini", "*.mako", "*.py"], "refcheck.migrations.versions": ["*.py"],
        **{name: ["*.html", "*.txt"] for name in template_packages},
    },
)
