from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_scope_opinions_chain_data")]
    operations = [migrations.RemoveField(model_name="reportform", name="opinions_legacy")]
