"""Roles and the actions each may take (DOMAIN.md §4 "Who may do what").

浏览 (leadership) sees the 会议看板 pages and downloads; 上传 (safety department) also uploads,
reverts and sees 报送情况; 管理 also manages the registry, the yearly indicators, users and settings.
A user with companies set is limited to those companies (a subsidiary's safety officer): they see
and upload only their units. The check is `require(user, action, companies)`, on the server, in the
engine: a hidden button is not a check.
"""
from __future__ import annotations

from dataclasses import dataclass, field

VIEW, UPLOAD, ADMIN = "浏览", "上传", "管理"
ROLES = (VIEW, UPLOAD, ADMIN)
RANK = {VIEW: 1, UPLOAD: 2, ADMIN: 3}

# action → the least role that may take it
ACTIONS: dict[str, str] = {
    "view": VIEW, "download": VIEW,
    "upload": UPLOAD, "revert": UPLOAD, "submissions": UPLOAD,
    "indicators": ADMIN, "registry": ADMIN, "users": ADMIN, "settings": ADMIN, "audit": ADMIN,
}
ACTION_LABELS = {"view": "查看", "download": "下载", "upload": "上传台账", "revert": "撤销批次", "submissions": "报送情况",
                 "indicators": "导入目标责任书指标", "registry": "单位管理", "users": "用户管理", "settings": "系统设置",
                 "audit": "审计日志"}


class AccessDenied(PermissionError):
    """An action the user may not take; the message is Chinese."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    display_name: str = ""
    companies: tuple[str, ...] = field(default=())     # empty: every company; else the companies in scope
    kind: str = "password"                              # password | sso
    scope: tuple[str, ...] = field(default=())         # as set (companies and 板块); empty: `companies` itself

    @property
    def label(self) -> str:
        """上传人 / who in the audit trail: the display name with the account, e.g. 张三（zhangsan）."""
        return f"{self.display_name}（{self.username}）" if self.display_name and self.display_name != self.username \
            else self.username

    @property
    def scoped(self) -> bool:
        return bool(self.companies)

    @property
    def scope_label(self) -> str:
        """The scope as set, e.g. 能源板块、丝路物流有限公司."""
        return "、".join(self.scope or self.companies)


def can(user: User | None, action: str) -> bool:
    need = ACTIONS[action]
    return user is not None and RANK.get(user.role, 0) >= RANK[need]


def in_scope(user: User | None, company: str) -> bool:
    return user is not None and (not user.scoped or company in user.companies)


def require(user: User | None, action: str, companies: list[str] | tuple[str, ...] | set[str] = ()) -> User:
    """The user, if they may take the action on these companies; AccessDenied otherwise."""
    what = ACTION_LABELS[action]
    if user is None:
        raise AccessDenied(f"{what}需要登录。")
    if not can(user, action):
        raise AccessDenied(f"用户“{user.username}”（{user.role}）无权{what}：需要“{ACTIONS[action]}”角色。")
    outside = sorted(c for c in companies if not in_scope(user, c))
    if outside:
        raise AccessDenied(f"用户“{user.username}”只能处理本单位（{user.scope_label}）的数据，"
                           f"不能{what}：{'、'.join(outside)}。")
    return user


def visible_companies(user: User | None, names: list[str]) -> list[str]:
    """The registered companies a user may see (all for an unscoped user or an open screen)."""
    if user is None or not user.scoped:
        return names
    return [n for n in names if n in user.companies]
