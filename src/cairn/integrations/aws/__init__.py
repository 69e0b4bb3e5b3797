"""AWS integration (``pip install 'cairn[aws]'``): the ``aws`` secrets manager.

boto3 is imported only inside methods.
"""

AWS_INTEGRATION = "aws"

__all__ = ["AWS_INTEGRATION"]
