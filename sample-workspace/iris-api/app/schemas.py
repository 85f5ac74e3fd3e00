"""Request and response bodies. Every field is typed and bounded, so a bad payload
is answered with a field-level 422, never with an error from inside the model."""

from __future__ import annotations

from typing import Annotated, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .settings import settings

# Finite numbers only: NaN and infinity cannot be scored. Integers stay within what
# a float64 holds exactly.
Number = Annotated[float, Field(allow_inf_nan=False)]
Integer = Annotated[int, Field(ge=-(2**53), le=2**53)]
Text = Annotated[str, Field(max_length=10_000)]
Flag = bool


class Record(BaseModel):
    """One record: a value for each feature the model was trained on."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    sepal_length: Number = Field(alias="sepal_length", examples=[5.1])
    sepal_width: Number = Field(alias="sepal_width", examples=[3.5])
    petal_length: Number = Field(alias="petal_length", examples=[1.4])
    petal_width: Number = Field(alias="petal_width", examples=[0.2])


class Batch(BaseModel):
    """Several records, scored together."""

    model_config = ConfigDict(extra="forbid", strict=True)

    instances: Annotated[list[Record], Field(min_length=1, max_length=settings.max_batch)]


PredictRequest = Union[Batch, Record]


class Prediction(BaseModel):
    prediction: Union[bool, int, float, str]
    probabilities: Optional[dict[str, float]] = None


class PredictResponse(BaseModel):
    predictions: list[Prediction]
    model_version: str


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    model_version: str
    detail: Optional[str] = None
