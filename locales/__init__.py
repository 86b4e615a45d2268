"""Message catalogs (gettext .po/.mo per language), shipped as package data."""
