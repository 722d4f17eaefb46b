"""utflytt: plan and codify a municipality's move out of its hosting provider into IaaS."""

__version__ = "0.1.0"
