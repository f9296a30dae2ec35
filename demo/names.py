"""Names drawn from Faker's locale data."""

from __future__ import annotations

import random

from faker import Faker


class NamePool:
    """First and last names from Faker's locale data, drawn with their real frequencies by our
    own seeded ``random.Random`` (as fast as one ``choices`` call; Faker's own calls cost
    ~0.3 ms each)."""

    def __init__(self, locale: str) -> None:
        faker = Faker(locale)
        provider = next(p for p in faker.providers if ".person." in type(p).__module__)
        self.lists: dict[str, tuple[list[str], list[float] | None]] = {}
        for attr in ("first_names_female", "first_names_male", "last_names"):
            data = getattr(provider, attr)
            if isinstance(data, dict):
                names = list(data)
                cum, total = [], 0.0
                for w in data.values():
                    total += float(w)
                    cum.append(total)
                self.lists[attr] = (names, cum)
            else:
                self.lists[attr] = (list(data), None)

    def pick(self, rng: random.Random, attr: str) -> str:
        names, cum = self.lists[attr]
        if cum is None:
            return names[rng.randrange(len(names))]
        return rng.choices(names, cum_weights=cum)[0]
