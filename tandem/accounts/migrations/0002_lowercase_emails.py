"""Store every account's email address in lower case, as sign-in now compares addresses ignoring case.

An address is left as it is when another account uses it in some other case (two accounts that
differ only in case are for an operator to merge); running this again changes nothing more.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import migrations


def lowercase_emails(apps: Any, schema_editor: Any) -> None:
    """Lower-case each mixed-case address that no other account shares ignoring case."""
    User = apps.get_model("accounts", "User")
    emails = list(User.objects.values_list("pk", "email"))
    accounts_per_address = Counter(email.lower() for _, email in emails)
    for pk, email in emails:
        if email != email.lower() and accounts_per_address[email.lower()] == 1:
            User.objects.filter(pk=pk).update(email=email.lower())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(lowercase_emails, migrations.RunPython.noop, elidable=True)]
