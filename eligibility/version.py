"""The engine's version, recorded in every evaluation so results can be reproduced."""

ENGINE_VERSION = "1.0.0"
