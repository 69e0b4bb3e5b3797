"""Train on point-in-time correct features from Feast, then load the latest into the online store.

``historical_features_step`` joins each labelled entity row with the driver's
statistics as they were at that row's time (never later ones); the model is a
logistic regression predicting whether a driver completes the next trip.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from feature_repo import END, FEATURES, labelled_entities

from cairn import log_metadata, pipeline, step
from cairn.integrations.feast.steps import feast_materialize_step
from cairn.steps.feature_store_steps import historical_features_step

FEATURE_COLUMNS = [ref.split(":")[1] for ref in FEATURES]


@step
def load_entities(rows: int = 400) -> pd.DataFrame:
    """The labelled entity rows (driver, time, completed)."""
    return labelled_entities(rows)  # type: ignore[no-any-return]


@step
def train(
    training_data: pd.DataFrame,
) -> tuple[Annotated[Any, "model"], Annotated[float, "accuracy"]]:
    """Fit on 75% of the rows, score on the rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    data = training_data.dropna(subset=FEATURE_COLUMNS)
    x_train, x_test, y_train, y_test = train_test_split(
        data[FEATURE_COLUMNS], data["completed"], test_size=0.25, random_state=0
    )
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))
    log_metadata(accuracy=accuracy, rows=len(data), features=FEATURE_COLUMNS)
    return model, accuracy


@pipeline(enable_cache=False)
def driver_training(rows: int = 400) -> None:
    entities = load_entities(rows=rows)
    data = historical_features_step(entities, features=FEATURES)
    train(data)
    feast_materialize_step(end_date=END.isoformat())
