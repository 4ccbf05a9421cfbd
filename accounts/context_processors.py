from .roles import is_academy_staff


def roles(request):
    user = getattr(request, "user", None)
    return {"is_academy_staff": is_academy_staff(user)}
