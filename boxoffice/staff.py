"""Staff logins and what each may do, as PostgreSQL itself decides.

Every staff member is a PostgreSQL login in one of the group roles the migrations
create (``boxoffice_viewer`` ⊂ ``boxoffice_clerk`` ⊂ ``boxoffice_manager``). Managers add
and change logins through SECURITY DEFINER functions, so they need no CREATEROLE.
Passwords are SCRAM-encrypted here, by libpq, before they leave the client. The app asks
``my_rights`` what the logged-in role may do and shows only that; the database refuses
anything else anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from boxoffice.db import Database
from boxoffice.errors import InvalidRequest

log = logging.getLogger(__name__)

ROLES = ("viewer", "clerk", "manager")


@dataclass(frozen=True, slots=True)
class Rights:
    """What the logged-in role may do; ``role`` is the highest BoxOffice role it holds."""

    login: str
    role: str  # owner, manager, clerk, viewer, expiry or none
    can_view: bool
    can_sell: bool
    can_cancel: bool
    can_manage_shows: bool
    can_manage_staff: bool
    can_run_expiry: bool

    @property
    def label(self) -> str:
        return f"{self.login} ({self.role})"


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: str
    can_login: bool


_RIGHTS = text("""
SELECT session_user::text AS login,
       pg_has_role(current_user, (SELECT relowner FROM pg_class
                                  WHERE oid = 'bookings'::regclass), 'MEMBER') AS owner,
       pg_has_role(current_user, 'boxoffice_manager', 'MEMBER') AS manager,
       pg_has_role(current_user, 'boxoffice_clerk', 'MEMBER') AS clerk,
       pg_has_role(current_user, 'boxoffice_viewer', 'MEMBER') AS viewer,
       pg_has_role(current_user, 'boxoffice_expiry', 'MEMBER') AS expiry,
       has_table_privilege(current_user, 'bookings', 'SELECT') AS can_view,
       has_function_privilege(current_user,
           'boxoffice_book(bigint, text[], text, text, text, text, integer, text)',
           'EXECUTE') AS can_sell,
       has_function_privilege(current_user, 'boxoffice_cancel(bigint, text, text, text)',
                              'EXECUTE') AS can_cancel,
       has_table_privilege(current_user, 'shows', 'INSERT') AS can_manage_shows,
       has_function_privilege(current_user, 'boxoffice_staff_add(text, text, text)',
                              'EXECUTE') AS can_manage_staff,
       has_function_privilege(current_user, 'boxoffice_expire(bigint, integer)',
                              'EXECUTE') AS can_run_expiry
""")


def my_rights(db: Database) -> Rights:
    with db.engine.connect() as conn:
        r = conn.execute(_RIGHTS).one()
    role = ("owner" if r.owner else "manager" if r.manager else "clerk" if r.clerk
            else "viewer" if r.viewer else "expiry" if r.expiry else "none")
    return Rights(r.login, role, r.can_view, r.can_sell, r.can_cancel, r.can_manage_shows,
                  r.can_manage_staff, r.can_run_expiry)


def _call(db: Database, sql: str, params: dict[str, object]) -> None:
    try:
        with db.engine.begin() as conn:
            conn.execute(text(sql), params)
    except DBAPIError as exc:
        if isinstance(exc.orig, psycopg.errors.RaiseException | psycopg.errors.InvalidParameterValue
                      | psycopg.errors.DuplicateObject | psycopg.errors.UndefinedObject):
            raise InvalidRequest(exc.orig.diag.message_primary or str(exc.orig),
                                 field="staff") from None
        raise


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRequest(f"A staff role is viewer, clerk or manager, not {role!r}.",
                             field="role")
    return role


def _encrypt(db: Database, name: str, password: str) -> str:
    if len(password) < 8:
        raise InvalidRequest("A password needs at least 8 characters.", field="password")
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        hashed = raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    return hashed.decode()


def add_staff(db: Database, name: str, role: str, password: str) -> None:
    _call(db, "SELECT boxoffice_staff_add(:n, :r, :p)",
          {"n": name, "r": _role(role), "p": _encrypt(db, name, password)})
    log.info("staff login %s added as %s", name, role)


def set_role(db: Database, name: str, role: str) -> None:
    _call(db, "SELECT boxoffice_staff_set_role(:n, :r)", {"n": name, "r": _role(role)})
    log.info("staff login %s is now %s", name, role)


def disable(db: Database, name: str) -> None:
    _call(db, "SELECT boxoffice_staff_disable(:n)", {"n": name})
    log.info("staff login %s disabled", name)


def set_password(db: Database, name: str, password: str) -> None:
    _call(db, "SELECT boxoffice_staff_password(:n, :p)",
          {"n": name, "p": _encrypt(db, name, password)})
    log.info("password of staff login %s changed", name)


def list_staff(db: Database) -> list[StaffMember]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, role, can_login FROM boxoffice_staff_list()"))
        return [StaffMember(r.name, r.role, r.can_login) for r in rows]
