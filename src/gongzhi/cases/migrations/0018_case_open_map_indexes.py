"""Issue 12: the dashboards' estate map counts a reader's open cases per estate
(stats/selectors.py ``open_by_estate``), one scope branch at a time. Two partial indexes
of the open cases, by area (a prefix range) and by estate, hold every column that count
reads, so PostgreSQL answers from the index alone (an index-only scan, once VACUUM has
marked the pages visible) instead of visiting every open case's row: 1.4 s for a county's
800,000 open cases at 10 M (docs/performance.md). Building them on a large live table:
docs/deployment.md ("Indexes")."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_case_search_bigram_index'),
        ('catalog', '0004_office_examples_proposals'),
        ('org', '0005_estate_custodian_company'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ['registered', 'dispatched', 'accepted', 'in_progress', 'suspended', 'returned', 'escalated', 'handled', 'feedback', 'review'])), fields=['area_path'], include=('state', 'resolve_due_at', 'accept_due_at', 'breached_at', 'lead_unit', 'matter', 'estate'), name='case_open_area_idx', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ['registered', 'dispatched', 'accepted', 'in_progress', 'suspended', 'returned', 'escalated', 'handled', 'feedback', 'review'])), fields=['estate'], include=('state', 'resolve_due_at', 'accept_due_at', 'breached_at', 'lead_unit', 'matter'), name='case_open_estate_idx'),
        ),
    ]
