"""Who may do what: accounts (users), roles and company scope (roles), the audit trail (audit) and the
access settings (settings). The engine side only: the pages reach it through ui/auth.py."""
