"""Stage configuration: typed models, stack file reading and validation."""
