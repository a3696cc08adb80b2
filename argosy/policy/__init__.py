"""Security and ordering rules checked over every planned stack."""
