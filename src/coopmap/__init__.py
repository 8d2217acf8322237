"""coopmap: how local government cooperates with ICE, county by county and state by state."""

__version__ = "0.1.0"
