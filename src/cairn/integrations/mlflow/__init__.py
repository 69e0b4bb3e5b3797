"""MLflow integration (``pip install 'cairn[mlflow]'``).

Flavors: the ``mlflow`` experiment tracker (a remote tracking URI, or a local
tracking server run as a Cairn service) and the ``mlflow`` model deployer
(models served by ``mlflow models serve`` as local services). MLflow itself is
imported only inside methods.
"""

MLFLOW_INTEGRATION = "mlflow"

__all__ = ["MLFLOW_INTEGRATION"]
