"""Number each member's existing photos in upload order (0, 1, ...), keeping today's order and
the main photo first when it is set (issue 15). Reversible: the schema migration drops the
column on the way back, so reversing this one has nothing to undo."""

from django.db import migrations


def number_photos(apps, schema_editor):
    Photo = apps.get_model("profiles", "Photo")
    Member = apps.get_model("profiles", "Member")
    images = dict(Member.objects.values_list("id", "image"))
    batch, member_id, position = [], None, 0
    photos = Photo.objects.order_by("member_id", "created_at", "id").only("id", "member_id", "file")
    for photo in photos.iterator(chunk_size=2000):
        if photo.member_id != member_id:
            member_id, position = photo.member_id, 1
        main = images.get(photo.member_id) and photo.file.url == images[photo.member_id]
        photo.position = 0 if main else position
        position += 0 if main else 1
        batch.append(photo)
        if len(batch) >= 2000:
            Photo.objects.bulk_update(batch, ["position"])
            batch = []
    Photo.objects.bulk_update(batch, ["position"])


class Migration(migrations.Migration):
    dependencies = [("profiles", "0008_photo_position")]

    operations = [migrations.RunPython(number_photos, migrations.RunPython.noop)]
