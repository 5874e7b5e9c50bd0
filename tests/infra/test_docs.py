"""docs/operations.md lists every setting tipchat reads, so the reference cannot drift."""

from __future__ import annotations

from pathlib import Path

from tipchat.config import Settings

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def env_names() -> list[str]:
    names = []
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        # DATABASE_URL and REDIS_URL are read without the prefix (their first alias).
        if alias is not None and hasattr(alias, "choices"):
            names.append(str(alias.choices[0]))
        else:
            names.append("TIPCHAT_" + field_name.upper())
    return names


def test_every_setting_is_in_the_configuration_reference() -> None:
    text = OPERATIONS.read_text()
    reference = text[text.index("## Configuration reference") :]
    rows = {
        line.split("|")[1].strip().strip("`")
        for line in reference.splitlines()
        if line.startswith("| `")
    }
    missing = [name for name in env_names() if name not in rows]
    assert missing == [], f"add these to the table in docs/operations.md: {missing}"
    assert len(env_names()) > 20  # the introspection found the fields
