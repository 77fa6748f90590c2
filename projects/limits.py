"""Limits shared by the community's use cases, the API's request models and the forms, each
named with its unit: one number per rule, so that the layers cannot disagree."""

REASON_MAX_CHARS = 500  # why a need, a claim, a registration or a redemption was refused, disputed...

# Titles and descriptions of what people create: tasks, service projects, surveys, grid tasks.
TITLE_MAX_CHARS = 128
DESCRIPTION_MAX_CHARS = 2000

# Members and how they sign in
MEMBER_NAME_MAX_CHARS = 64
EMAIL_MAX_CHARS = 254  # the longest address mail can carry
PHONE_MAX_CHARS = 32  # as people type it, before it is checked
PASSWORD_MAX_CHARS = 128
# What a request may carry in a password field: longer than any password allowed, so that a long
# one is answered by the use case's own rule and words.
SENT_PASSWORD_MAX_CHARS = 256

# Where a need is, whom to call and when (a work order's details)
ADDRESS_MAX_CHARS = 100
CONTACT_NAME_MAX_CHARS = 64
PREFERRED_TIME_MAX_CHARS = 100

# Areas, categories and the community's registers
AREA_NAME_MAX_CHARS = 100
CATEGORY_CODE_MAX_CHARS = 32
CATEGORY_NAME_MAX_CHARS = 64
CATEGORY_MAX_POINTS_PER_HOUR = 1000
CATEGORY_MAX_POSITION = 10_000  # where it is listed among its siblings
ORGANISATION_NAME_MAX_CHARS = 128
RESOURCE_NAME_MAX_CHARS = 128
CONTACT_MAX_CHARS = 64  # a resource's contact: a person's name, a desk
RESOURCE_MAX_CATEGORIES = 20
RESOURCE_MAX_AREAS = 200  # the areas it covers
SIGNATORY_NAME_MAX_CHARS = 64  # who signs a certificate, and who handles it
CERTIFICATE_CODE_MAX_CHARS = 64
OPEN311_CLIENT_NAME_MAX_CHARS = 100

# Tasks, claims and the work they record
TASK_MAX_PEOPLE = 1000  # a task's capacity
TASK_MAX_POINTS_PER_HOUR = 1000
CLAIM_MAX_MINUTES = 24 * 60  # one claim is one day's work at most
DAY_MAX_MINUTES = 24 * 60
DEADLINE_MAX_HOURS = 8784  # a year, leap day included
# About a year of working days: a deadline further off is a plan, not a deadline.
DEADLINE_MAX_WORKING_DAYS = 250

# Issuance controls: the four-eyes thresholds a community may set
APPROVAL_OVER_MAX_POINTS = 10**9
APPROVAL_OVER_MAX_FEN = 10**12

# Service projects
PROJECT_CONTENT_MAX_CHARS = 5000  # its content, its measures, its final report
PROGRESS_NOTE_MAX_CHARS = 2000
PROJECT_MAX_NEEDS = 100  # the common needs one service project answers

# Surveys, ratings and recognition
QUESTION_MAX_CHARS = 500
COMMENT_MAX_CHARS = 1000  # a rating's comment
RECOGNITION_NOTE_MAX_CHARS = 500

# Statistics
GROUP_KEY_MAX_CHARS = 64  # the key of a group a figure counts (an area's id, a category's code...)
