"""The first command on a new database shows the shipped main topic."""

from pathlib import Path


def test_show_creates_database_from_seed(mfgkb, db: Path) -> None:
    result = mfgkb("show", "advanced-manufacturing")
    assert result.exit_code == 0, result.output
    assert "Advanced manufacturing" in result.stdout
    assert "Jedrik Hastings" in result.stdout
    assert db.exists()
