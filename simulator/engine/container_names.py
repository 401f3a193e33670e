"""Container names: validation, and `<adjective>_<surname>` names for unnamed containers.

Rules from moby `daemon/names.go` and `daemon/names/names.go` (pattern
`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) and `pkg/namesgenerator` (adjective + notable scientist,
never `boring_wozniak`, a digit appended on retries, the short ID as a last resort).
The choice comes from the container's own (deterministic) ID instead of a random source.
"""

from __future__ import annotations

import re

from .errors import InvalidParameter

VALID_NAME = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")

ADJECTIVES = (
    "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "blissful",
    "bold", "brave", "charming", "clever", "cool", "compassionate", "competent", "confident",
    "crazy", "dazzling", "determined", "eager", "ecstatic", "elastic", "elegant", "epic",
    "exciting", "fervent", "focused", "friendly", "gallant", "gifted", "goofy", "gracious",
    "happy", "heuristic", "hopeful", "hungry", "infallible", "inspiring", "jolly", "jovial",
    "keen", "kind", "laughing", "loving", "modest", "musing", "nervous", "nifty", "nostalgic",
    "objective", "optimistic", "peaceful", "pensive", "practical", "priceless", "quirky",
    "quizzical", "relaxed", "reverent", "romantic", "serene", "sharp", "silly", "sleepy",
    "stoic", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
    "vigilant", "wizardly", "wonderful", "youthful", "zealous", "zen",
)

SURNAMES = (
    "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bhabha",
    "blackwell", "bohr", "booth", "bose", "brahmagupta", "carson", "chandrasekhar", "cori",
    "curie", "darwin", "dijkstra", "easley", "einstein", "elion", "euclid", "fermat", "fermi",
    "feynman", "franklin", "galileo", "goldberg", "goodall", "hamilton", "hawking", "hodgkin",
    "hopper", "hypatia", "jackson", "johnson", "kare", "keller", "khorana", "knuth", "lamarr",
    "lamport", "leakey", "liskov", "lovelace", "mayer", "mccarthy", "meitner", "mirzakhani",
    "morse", "newton", "noether", "pasteur", "payne", "perlman", "pike", "ritchie", "sammet",
    "sanderson", "shannon", "sinoussi", "swartz", "tesla", "thompson", "torvalds", "turing",
    "wescoff", "wilson", "wozniak", "yalow", "yonath",
)


def generated_name(container_id: str, taken: set[str]) -> str:
    """A free `<adjective>_<surname>` name chosen from the ID's hex digits."""
    for attempt in range(7):
        seed = int(container_id[attempt * 8:attempt * 8 + 8], 16)
        name = f"{ADJECTIVES[seed % len(ADJECTIVES)]}_{SURNAMES[(seed // len(ADJECTIVES)) % len(SURNAMES)]}"
        if name == "boring_wozniak":  # "Steve Wozniak is not boring" (moby)
            continue
        if attempt:
            name += str(seed % 10)
        if name not in taken:
            return name
    return container_id[:12]


def validate(name: str) -> str:
    """The name without its leading `/`; InvalidParameter with the daemon's message if bad
    (the message shows `name` as given: `rename` passes it with the `/` already added)."""
    if not VALID_NAME.match(name):
        raise InvalidParameter(f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    return name.lstrip("/")
