"""A worker that saves a referee's answers and is killed before (or right after) it commits.

Run as `python -m tests.faults.killed_worker CONFIG_JSON REFEREE_ID before|after`: it prints
"ready" once the rows are written (and committed, for "after") and then waits to be killed.
"""

import json
import sys
import time

from refcheck import answers, create_app
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import Referee, utcnow
from refcheck.scope import Scope


def answer(question):
    if question.kind == "rating":
        return "4"
    if question.kind == "yes_no":
        return "yes"
    if question.kind == "choice":
        return question.choices[0]
    if question.kind == "month_range":
        return {"from": "2022-01", "to": "2024-06"}
    return "Written by a worker that was killed."


def main(config: dict, referee_id: str, moment: str) -> None:
    app = create_app(config)
    with app.app_context():
        referee = db.session.get(Referee, referee_id)
        question_set = answers.question_set_for(Scope.from_json(referee.case.consent.scope),
                                                referee.relationship)
        values = {str(q.id): answer(q) for q in question_set.questions}
        answers.submit(referee.case_id, Actor.referee(referee.id, referee.case_id), question_set, values,
                       "203.0.113.9", utcnow())
        db.session.flush()  # every row is written to the database, not yet committed
        if moment == "after":
            db.session.commit()
        print("ready", flush=True)
        time.sleep(120)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), sys.argv[2], sys.argv[3])
