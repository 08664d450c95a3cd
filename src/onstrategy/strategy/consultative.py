"""Consultative-selling targets: a setting of the strategy file (``consultative:``), used by
the call analysis in ``engines/conversation.py``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ConsultativeTargets(BaseModel):
    """What a consultative call looks like; the strategy file embeds it as ``consultative:``.

    ``talk_ratio`` (0.43, i.e. 43:57) and 11-14 questions on a discovery call come from Gong
    Labs' published analyses of sales calls; the others are onstrategy's starting points
    for a strategy owner to tune.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    talk_ratio: float = Field(default=0.43, ge=0, le=1, description="seller share of talk")
    talk_ratio_tolerance: float = Field(default=0.05, ge=0, le=0.5, description="no penalty within")
    questions_min: int = Field(default=11, ge=0, description="seller questions per call, at least")
    questions_max: int = Field(default=14, ge=0, description="seller questions per call, at most")
    open_question_share: float = Field(
        default=0.5, ge=0, le=1, description="open share of questions"
    )
    discovery_share: float = Field(default=0.2, ge=0, le=1, description="of seller utterances")
    insights_min: int = Field(default=1, ge=0, description="insight utterances per call")
    pitch_share_max: float = Field(default=0.25, ge=0, le=1, description="of seller utterances")
    monologue_max_seconds: float = Field(default=76.0, gt=0, description="longest seller monologue")
    monologue_max_words: int = Field(default=190, gt=0, description="the same, without timestamps")

    @model_validator(mode="after")
    def _range(self) -> ConsultativeTargets:
        if self.questions_min > self.questions_max:
            raise ValueError("questions_min must not exceed questions_max")
        return self
