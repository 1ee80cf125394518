"""plancycle: Thailand's area development planning cycle as declared state machines."""

__version__ = "0.1.0"
