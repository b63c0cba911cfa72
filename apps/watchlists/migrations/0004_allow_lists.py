from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("watchlists", "0003_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="watchlist",
            name="suppress_alerts",
            field=models.BooleanField(
                default=True,
                help_text="Allow lists only: a plate on this list raises no alert, even where an alert list names it.",
                verbose_name="suppress alerts for these plates",
            ),
        ),
    ]
