"""onstrategy: hold the sales strategy as a versioned file, hold the CRM's records against it,
and show leaders where the field follows it and where it drifts."""

__version__ = "0.1.0"
