"""amazon-credits: read every Amazon credit balance into exact, dated snapshots."""

__version__ = "0.1.0"
