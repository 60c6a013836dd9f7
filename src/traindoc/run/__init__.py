"""The one data model: a Run of named Series, each with a role."""

from .roles import MEASURED_ROLES, Role, RoleInfo, infer_role
from .run import Run, RunMeta
from .series import Series, SeriesBuilder

__all__ = ["MEASURED_ROLES", "Role", "RoleInfo", "infer_role", "Run", "RunMeta", "Series", "SeriesBuilder"]
