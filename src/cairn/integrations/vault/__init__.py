"""HashiCorp Vault integration (``pip install 'cairn[vault]'``): the ``vault`` secrets manager.

hvac is imported only inside methods.
"""

VAULT_INTEGRATION = "vault"

__all__ = ["VAULT_INTEGRATION"]
