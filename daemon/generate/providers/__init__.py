"""The providers behind one small interface: OpenRouter, Replicate, and the mock."""

from .base import GenRequest, GenResult, Provider, RunContext

__all__ = ["GenRequest", "GenResult", "Provider", "RunContext"]
