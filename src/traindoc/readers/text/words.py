"""The few training words of a log printed in another language, read as their English ones.

People print their own logs in their own language: ``pas 120 | pierdere 0.41`` (Romanian),
``época 3 - pérdida: 0.52`` (Spanish), ``Schritt 50 Verlust 1.2`` (German). The templates and
the role names know the English words (step, epoch, loss, validation, train, accuracy); a line
whose words are these in another language is otherwise read as unnamed series of role
``other``, and a validation printed as ``-> validare 0.55`` is not read at all. Only whole words
are replaced, and only words that are not English words themselves, so an English log reads
exactly as before.
"""

from __future__ import annotations

import re

_WORDS = {
    "step": ("pas", "paso", "passo", "schritt", "étape", "iteración", "iteracion", "iteração", "iteracao",
             "iterazione", "itération", "iteratie", "iterație", "iteratie"),
    "epoch": ("época", "epoca", "epocă", "epoche", "époque", "epoka", "epok"),
    "loss": ("pierdere", "pierderea", "pérdida", "perdida", "perte", "verlust", "perdita", "perda", "verlies",
             "kayıp", "kayip"),
    "validation": ("validare", "validarea", "validación", "validacion", "validação", "validacao", "validierung",
                   "validazione", "validatie", "walidacja"),
    "train": ("antrenare", "antrenament", "entrenamiento", "treino", "treinamento", "entraînement", "entrainement",
              "addestramento", "trainieren"),
    "accuracy": ("acuratețe", "acuratete", "exactitud", "acurácia", "acuracia", "genauigkeit", "accuratezza",
                 "exactitude", "dokładność"),
}
_ENGLISH = {w: en for en, words in _WORDS.items() for w in words}
_FOREIGN = re.compile(r"(?i)(?<![\w.])(" + "|".join(sorted(map(re.escape, _ENGLISH), key=len, reverse=True))
                      + r")(?![\w.])")


def to_english(line: str) -> str:
    """The line with its training words in English (unchanged when it has none)."""
    if not _FOREIGN.search(line):
        return line
    return _FOREIGN.sub(lambda m: _ENGLISH[m.group(1).lower()], line)
