"""A definition may carry translations of its criteria and questions as data: checked at
load with the line, shown in the reader's language, the English original otherwise."""

from __future__ import annotations

import pytest

from eligibility import DefinitionError, load_definition, load_definition_file
from eligibility.translations import LANGUAGES

from .helpers import GOOD, PROTOCOLS, broken

TRANSLATED = broken(
    "    text: Body weight ≥40 kg.\n",
    "    text: Body weight ≥40 kg.\n"
    "    translations:\n"
    "      zh-hans: {text: 体重≥40 kg。}\n"
    "      de:\n"
    "        text: Körpergewicht ≥40 kg.\n",
)


def test_a_criterion_is_read_in_the_readers_language() -> None:
    criterion = load_definition(TRANSLATED).criteria[0]
    assert criterion.text == "Body weight ≥40 kg."  # the original stays authoritative
    assert criterion.text_in("zh-hans") == "体重≥40 kg。"
    assert criterion.text_in("de") == "Körpergewicht ≥40 kg."
    assert criterion.text_in("de-at") == "Körpergewicht ≥40 kg."


@pytest.mark.parametrize("language", ["en-gb", "fr", "", None])
def test_without_a_translation_the_original_is_shown(language: str | None) -> None:
    definition = load_definition(TRANSLATED)
    assert definition.criteria[0].text_in(language) == "Body weight ≥40 kg."
    assert definition.criteria[1].text_in("de") == "ALT ≥ 2 × ULN."


def test_a_question_and_a_heading_are_translated() -> None:
    text = (
        GOOD.replace(
            "criteria:\n",
            "questions:\n"
            "  - code: willing\n"
            "    kind: answer\n"
            "    text: Willing to take part?\n"
            "    translations: {zh-hans: {text: 愿意参加吗？}}\n"
            "criteria:\n",
        )
        .replace(
            "    text: ALT ≥ 2 × ULN.\n",
            "    heading: Liver\n    text: ALT ≥ 2 × ULN.\n"
            "    translations: {zh-hans: {heading: 肝脏, text: ALT ≥ 2 × ULN。}}\n",
        )
        .replace("rule: weight >= 40 kg", "rule: weight >= 40 kg and willing is yes")
    )
    definition = load_definition(text)
    question = definition.catalogue.questions["willing"]
    assert question.text_in("zh-hans") == "愿意参加吗？"
    assert question.text_in("de") == "Willing to take part?"
    spec = definition.requirements().get("willing")
    assert spec.label_in("zh-hans") == "愿意参加吗？"
    assert spec.label_in("en-gb") == "Willing to take part?"
    assert definition.criteria[1].heading_in("zh-hans") == "肝脏"
    assert definition.criteria[1].heading_in("de") == "Liver"


@pytest.mark.parametrize(
    ("written", "where", "reason"),
    [
        (
            "      zh: {text: 体重≥40 kg。}\n",
            (13, 7),
            "criteria[0].translations.zh: unknown language 'zh'; did you mean zh-hans?",
        ),
        (
            "      en: {text: Weight.}\n",
            (13, 7),
            "English is the original: write it in the item's own fields",
        ),
        (
            "      de: {txt: Gewicht.}\n",
            (13, 12),
            "criteria[0].translations.de.txt: unknown field 'txt'; did you mean text?",
        ),
        ("      de: {text: ''}\n", (13, 12), "criteria[0].translations.de.text: must not be empty"),
        ("      de: Gewicht\n", (13, 7), "criteria[0].translations.de: must be a mapping"),
    ],
)
def test_a_bad_translation_is_refused_with_its_line(
    written: str, where: tuple[int, int], reason: str
) -> None:
    text = broken(
        "    text: Body weight ≥40 kg.\n",
        "    text: Body weight ≥40 kg.\n    translations:\n" + written,
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="trial.yaml")
    error = caught.value
    assert reason in error.message, str(error)
    assert (error.line, error.column) == where, str(error)
    assert str(error).startswith(f"trial.yaml:{where[0]}:{where[1]}: ")


@pytest.mark.parametrize("name", ["hmsc100.yaml", "nct06495437.yaml"])
def test_the_seed_protocols_carry_chinese_texts_for_every_criterion(name: str) -> None:
    definition = load_definition_file(PROTOCOLS / name)
    for criterion in definition.criteria:
        assert criterion.text_in("zh-hans") != criterion.text, criterion.id
        if criterion.heading:
            assert criterion.heading_in("zh-hans") != criterion.heading, criterion.id


def test_the_engine_knows_the_applications_languages() -> None:
    assert LANGUAGES == ("de", "zh-hans")
