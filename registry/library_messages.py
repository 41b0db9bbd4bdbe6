"""Korean for messages of the libraries the admin shows that their own catalogues lack or get wrong.

``makemessages`` reads only our code, so each message is named here with ``gettext_noop`` (nothing
calls this module's constants: the names only bring the messages into ``locale/ko``). Our catalogue
(``LOCALE_PATHS``) takes precedence over the libraries', so its Korean is the one shown:

* django-simple-history ships no Korean: the history pages' titles, "Changed"/"Created"/"Deleted"
  and the revert page said them in English (found by the fresh-clone user test); and "Created"
  read "생성일시" ("creation time") from another library's catalogue.
* The history's list and revert pages' sentences and breadcrumbs, and django-import-export's
  export page ("Select all"; its Korean for "This exporter will export the following fields: "
  is marked fuzzy, so never shown, and says "import"): found by the fresh-clone user test.
* Django's own Korean for "Select %s to view" has a stray "1" ("보기위한 1%s 를(을) 선택"), the
  title of every list that a staff member may only view; its unique field's error reads
  "도시의 슬러그은/는 이미 존재합니다." (the particle fits no field name ending in a vowel).
* Django's Korean for deleting records and for the admin's log (DJANGO_ADMIN_DELETE).
* django-countries' Korean names some countries as Korean readers do not: 몽골리아, 타이, 터키
  (beside the English "Türkiye"), 로마니아, 브룬디 and "케이맨 섬1" (new-user probe).
"""

from django.utils.translation import gettext_noop

SIMPLE_HISTORY = (
    gettext_noop("Change history: %s"),
    gettext_noop("Changed"),
    gettext_noop("Created"),
    gettext_noop("Deleted"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("View history: %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Change History"),
    gettext_noop("History"),
    gettext_noop("Revert"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("View %(verbose_name)s"),
)
IMPORT_EXPORT = (
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("Select all"),
    # A file that gives no row (an empty or unreadable CSV); it had no Korean (helper-95).
    gettext_noop("No valid data to import. Ensure your file has the correct headers or data for import."),
    # The message after a confirmed import; the library's own Korean is fuzzy, so never used.
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
)


DJANGO_ADMIN = (gettext_noop("Select %s to view"),)
# Django's Korean for a unique field's error puts a fixed particle after any field name:
# "도시의 슬러그은/는 이미 존재합니다." (an import's preview; helper-84).
# Django's Korean for the admin's messages after a save puts "가" after any record's name
# ("협정 "부산–심켄트 우호협력 협정"가 성공적으로 추가되었습니다."; helper-87).
DJANGO_ADMIN_SAVED = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
)
# Django's Korean for deleting puts "을/를" or a fixed particle after any name ("선택된 도시 을/를
# 삭제합니다.", "1개의 도시 을/를 성공적으로 삭제하였습니다.", "별칭를 정말 삭제하시겠습니까?") and
# writes "개체" into a record's quoted name in the admin's log ("“부산개체”를 추가했습니다."): ours
# name the record, then say what happened after a colon, as DJANGO_ADMIN_SAVED does (helper-106).
DJANGO_ADMIN_DELETE = (
    gettext_noop("Delete multiple objects"),  # the page's title: "여러 개의 오브젝트 삭제"
    gettext_noop("Objects"),  # its list's heading: "오브젝트"
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account "
        "doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and their "
        "related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your "
        "account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following protected related "
        "objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related '
        "items will be deleted:"
    ),
    gettext_noop(
        "Deleting %(class_name)s %(instance)s would require deleting the following protected related objects: "
        "%(related_objects)s"
    ),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
)
DJANGO_MODELS = (gettext_noop("%(model_name)s with this %(field_label)s already exists."),)
COUNTRIES = (
    gettext_noop("Bonaire, Sint Eustatius and Saba"),
    gettext_noop("British Indian Ocean Territory"),
    gettext_noop("Burundi"),
    gettext_noop("Cayman Islands"),
    gettext_noop("Cocos (Keeling) Islands"),
    gettext_noop("Cook Islands"),
    gettext_noop("Guadeloupe"),
    gettext_noop("Jersey"),
    gettext_noop("Mongolia"),
    gettext_noop("Montserrat"),
    gettext_noop("Réunion"),
    gettext_noop("Romania"),
    gettext_noop("Seychelles"),
    gettext_noop("Thailand"),
    gettext_noop("Türkiye"),
)
