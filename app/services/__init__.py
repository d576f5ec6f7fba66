"""The use cases of the portal. The only code that commits; raises only its own errors."""
