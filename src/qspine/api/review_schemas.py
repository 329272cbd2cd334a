"""Schemas of /api/v1/reviews: management review inputs (ISO 13485:2016 5.6.2) on the wire.

The same shape as `qspine review prepare --json` and the web page's JSON twin (all three
render the one `ReviewInputs` the service returns)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputRecordOut(_Out):
    key: str
    kind: str
    title: str
    status: str = Field(description="The record's status now (figures count it as at period end)")


class FigureOut(_Out):
    name: str = Field(description="Stable name within the section, e.g. 'received'")
    label: str = Field(description="What is counted, in words")
    value: int = Field(description="How many records")
    keys: list[str] = Field(description="The records counted, in key order")


class ReviewSectionOut(_Out):
    letter: str = Field(description="The input's letter in ISO 13485:2016 5.6.2 (a to l)")
    title: str
    clause: str = Field(description="e.g. 'ISO 13485:2016 5.6.2 b)'")
    summary: str = Field(description="The input in one plain sentence")
    source: bool = Field(description="False: the profile holds no records for this input")
    figures: list[FigureOut]
    records: list[InputRecordOut] = Field(description="Every record the figures count")


class ReviewInputsOut(_Out):
    start: dt.date = Field(description="First day of the period (UTC days, included)")
    end: dt.date = Field(description="Last day of the period (included)")
    prepared_at: dt.datetime = Field(description="When the inputs were compiled")
    previous_review: InputRecordOut | None = Field(
        description="The management review these inputs follow up (null: none)"
    )
    sections: list[ReviewSectionOut] = Field(description="The twelve inputs, a) to l)")


class ReviewCreate(_In):
    start: dt.date = Field(description="First day of the period reviewed")
    end: dt.date = Field(description="Last day of the period reviewed (at most 3 years on)")
    title: str | None = Field(
        None, max_length=200, description="Default: 'Management review START to END'"
    )


class ReviewCreated(_Out):
    key: str = Field(description="Key of the new management review record, e.g. MR-3")
