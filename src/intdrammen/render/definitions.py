"""The definitions every shared report file states, in bokmål and English, following
docs/definitions.md (the code that implements each is named in metrics.py)."""

from __future__ import annotations

DEFINITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (
            "Into work",
            "A placement of type job (permanent or temporary, also part time) or "
            "apprenticeship. Work trials, courses and education are not jobs.",
        ),
        (
            "Once per window",
            "A person counts once per goal window, on the start date of "
            "their first job in the window; a job belongs to a window by its start date only.",
        ),
        (
            "Per year",
            "Inside a multi-year window each person counts in the year of that "
            "first job, so the years add up to the window. In the per-year table each calendar "
            "year is its own window.",
        ),
        (
            "Region of a person",
            "The municipality on the participant record, resolved to "
            "today's municipality through SSB's Klass 131 code changes.",
        ),
        (
            "Cohort",
            "Participants whose introduction programme ended in the year as completed "
            "or interrupted; people who moved are not in the denominator.",
        ),
        (
            "Directly into work or education",
            "The outcome at the end of the programme, or, "
            "without one, a job, apprenticeship or education placement active on the end date "
            "or starting within 30 days after it. An explicit outcome always wins.",
        ),
        (
            "One year after",
            "A job, apprenticeship or education placement active on 15 "
            "November of the following year (SSB labels this by the year measured).",
        ),
        (
            "Rates",
            "Counted numerator divided by counted denominator, undefined (–) when nobody ended.",
        ),
        (
            "Language-training requirement",
            "The rule in requirements.toml for the date of a person's first residence "
            "permit (the settlement date where it is missing): hours of Norwegian, of social "
            "studies, in all, a minimum Norwegian level. Met when every part is met, not met "
            "when one is known not to be, cannot be judged when a part rests on a value that "
            "is missing: nothing is guessed. Counted for the introduction programme cohort.",
        ),
        (
            "Small cells",
            "Counts below the threshold, and cells that would reveal them from "
            "a total, are shown as ':' (as SSB prints them).",
        ),
    ),
    "nb": (
        (
            "I arbeid",
            "En plassering av typen jobb (fast eller midlertidig, også deltid) "
            "eller lærlingplass. Arbeidspraksis, kurs og utdanning er ikke jobb.",
        ),
        (
            "Én gang per periode",
            "En person telles én gang per målperiode, på startdatoen for "
            "den første jobben i perioden; en jobb hører til perioden etter startdatoen.",
        ),
        (
            "Per år",
            "I en flerårig periode telles hver person i året for den første jobben, "
            "så årene summerer seg til perioden. I tabellen per år er hvert kalenderår sin egen "
            "periode.",
        ),
        (
            "Personens region",
            "Kommunen på deltakerregistreringen, ført fram til dagens "
            "kommune gjennom SSBs Klass 131-endringer.",
        ),
        (
            "Kull",
            "Deltakere som avsluttet introduksjonsprogrammet i året som fullført eller "
            "avbrutt; de som flyttet er ikke med i nevneren.",
        ),
        (
            "Direkte overgang til arbeid eller utdanning",
            "Resultatet ved avslutning, eller "
            "uten resultat en jobb, lærlingplass eller utdanning som pågår på sluttdatoen eller "
            "starter innen 30 dager etter. Et oppgitt resultat går alltid foran.",
        ),
        (
            "Ett år etter",
            "En jobb, lærlingplass eller utdanning som pågår 15. november året "
            "etter (SSB oppgir dette med målingsåret).",
        ),
        ("Andeler", "Telt teller delt på telt nevner, udefinert (–) når ingen har avsluttet."),
        (
            "Krav om opplæring i norsk og samfunnskunnskap",
            "Regelen i requirements.toml for datoen for personens første oppholdstillatelse "
            "(bosettingsdatoen der den mangler): timer norsk, samfunnskunnskap, til sammen, "
            "et minstenivå i norsk. Oppfylt når alle deler er oppfylt, ikke oppfylt når en del "
            "er kjent ikke oppfylt, kan ikke vurderes når en del bygger på en verdi som mangler: "
            "ingenting gjettes. Telles for kullet i introduksjonsprogrammet.",
        ),
        (
            "Små tall",
            "Tall under terskelen, og celler som ville avsløre dem fra en sum, vises "
            "som ':' (slik SSB prikker).",
        ),
    ),
}
