"""Writes that touch several rows or tables, each inside one transaction.

Called by the admin, the API, imports and management commands. Every function takes
keyword-only, typed arguments and validates with the model's ``full_clean()`` before saving,
so the database constraints are reported as validation errors on their fields; a race that
still trips a constraint raises ``IntegrityError`` and the transaction rolls back whole.
"""

from .guided_entry import record_new_partnership
from .partnerships import (
    PARTNERSHIP_ACTIONS,
    add_stage,
    create_partnership,
    end_partnership,
    renew_partnership,
    resume_partnership,
    sign_partnership,
    suspend_partnership,
    upgrade_partnership,
)
from .records import (
    CASCADE_WINDOW,
    OWNED_CHILDREN,
    DeletedRecord,
    delete_record,
    delete_records,
    deleted_records,
    historic_relations,
    owner_field,
    restore_deleted,
    save_record,
)
from .wikidata import accept_wikidata_proposal, correct_from_wikidata

__all__ = [
    "CASCADE_WINDOW",
    "OWNED_CHILDREN",
    "PARTNERSHIP_ACTIONS",
    "DeletedRecord",
    "accept_wikidata_proposal",
    "add_stage",
    "correct_from_wikidata",
    "create_partnership",
    "delete_record",
    "delete_records",
    "deleted_records",
    "end_partnership",
    "historic_relations",
    "owner_field",
    "record_new_partnership",
    "renew_partnership",
    "restore_deleted",
    "resume_partnership",
    "save_record",
    "sign_partnership",
    "suspend_partnership",
    "upgrade_partnership",
]
