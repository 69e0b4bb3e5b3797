"""Airflow integration (``pip install 'cairn[airflow]'``, Airflow 3).

The ``airflow`` orchestrator turns a pipeline into an Airflow DAG file and runs it
(now with ``airflow dags test``, or on a schedule by the Airflow scheduler that
reads its DAGs folder). Airflow is run as a command, never imported by Cairn.
"""

AIRFLOW_INTEGRATION = "airflow"

__all__ = ["AIRFLOW_INTEGRATION"]
