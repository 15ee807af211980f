"""What runs next (policies), how fits run (drivers), the record of results."""
