"""What the account pages share. The lockout message lives in accounts.messages, where other
apps' pages can reach it too; it is re-exported here for the account views."""

from accounts.messages import locked_message

__all__ = ["locked_message"]
