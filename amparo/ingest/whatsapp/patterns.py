"""What WhatsApp writes inside messages, as patterns (message headers are in `headers`):
media placeholders, deleted and edited notices, and platform events, in English, Spanish and
Portuguese (some also in German, French and Dutch)."""

from __future__ import annotations

import re

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"

# "WhatsApp Chat with Ana Souza.txt", "WhatsApp Chat - Ana Souza.zip" and translations.
_CHAT_NAME = re.compile(
    r"(?:WhatsApp Chat with|WhatsApp Chat -|WhatsApp-Chat mit|Chat de WhatsApp con"
    r"|Chat de WhatsApp com|Conversa do WhatsApp com|Conversa de WhatsApp com"
    r"|Conversación de WhatsApp con|Discussion WhatsApp avec)\s+(.+?)(?:\s*\(\d+\))?",
    re.IGNORECASE,
)

# Media placeholders, tested only when the first line ends with one of these.
_MEDIA_TAILS = (
    ">", ")", "omitted", "omitida", "omitido", "ocultada", "ocultado", "oculta",
)
_MEDIA = re.compile(
    r"<(?P<omitted>Media omitted|Multimedia omitido|Mídia oculta|Mídia omitida"
    r"|Medien ausgeschlossen|Médias omis|Media weggelaten)>"
    r"|<(?:attached|adjunto|anexado|archivo adjunto|arquivo anexado|Anhang|pièce jointe):"
    r" (?P<attached>[^>]+)>"
    r"|(?P<file>.+?) \((?:file attached|archivo adjunto|arquivo anexado|Datei angehängt"
    r"|fichier joint)\)"
    r"|(?:(?P<doc>[^\u200e]+?) • .*?)?\u200e?"
    r"(?P<kind>image|video|audio|sticker|document|GIF|Contact card|imagen|imagem|vídeo"
    r"|áudio|figurinha|documento|tarjeta de contacto|cartão de contato|contacto|contato)"
    r" (?:omitted|omitida|omitido|ocultada|ocultado|oculta)"
)
_KIND_NAMES = {
    "imagen": "image", "imagem": "image", "vídeo": "video", "áudio": "audio",
    "figurinha": "sticker", "documento": "document", "gif": "gif",
    "contact card": "contact", "tarjeta de contacto": "contact",
    "cartão de contato": "contact", "contacto": "contact", "contato": "contact",
}

_DELETED = frozenset(
    variant
    for notice in (
        "This message was deleted", "You deleted this message",
        "Se eliminó este mensaje", "Eliminaste este mensaje", "Este mensaje fue eliminado",
        "Mensaje eliminado",
        "Esta mensagem foi apagada", "Você apagou esta mensagem", "Mensagem apagada",
    )
    for variant in (notice, notice + ".")
)

_EDITED = re.compile(
    "[ \u200e]*<(?:This message was edited|Se editó este mensaje\\.?|Mensaje editado"
    "|Mensagem editada|Esta mensagem foi editada)>$"
)

# Platform events, in English, Spanish and Portuguese. The first that matches names the event.
_SYSTEM_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (event, re.compile(pattern))
    for event, pattern in (
        ("encryption", r"end-to-end encrypt|cifrad[oa]s? de extremo a extremo"
         r"|criptografia de ponta a ponta|protegidas com a criptografia"
         r"|Ende-zu-Ende-verschlüsselt|chiffrés de bout en bout|端到端加密|종단간 암호화"
         r"|エンドツーエンド暗号化|مشفرة بين الطرفين"),
        ("security_code", r"security code|código de seguridad|código de segurança"),
        ("joined", r"joined using this group's invite link|joined using an invite link"
         r"|se unió usando el enlace de invitación|se unió con el enlace"
         r"|entrou usando o link de convite"),
        ("created", r"\bcreated (?:group|this group)\b|\bcre(?:ó|aste) el grupo\b"
         r"|\bcri(?:ou|ei) (?:o|este) grupo\b"),
        ("subject", r"changed the subject|changed the group name|changed this group's name"
         r"|cambi(?:ó|aste) el (?:asunto|nombre del grupo)"
         r"|(?:mudou|alterou) o (?:assunto|nome do grupo|nome deste grupo)"),
        ("description", r"changed the group description|cambi(?:ó|aste) la descripción"
         r"|(?:mudou|alterou) a descrição"),
        ("icon", r"this group's icon|the group icon|ícono de este grupo|imagen del grupo"
         r"|imagem deste grupo|ícone deste grupo|imagem do grupo"),
        ("number_change", r"changed their phone number|changed (?:their number )?to \+"
         r"|cambió (?:su número|a \+)|mudou (?:seu número|de número|para \+)"),
        ("settings", r"changed (?:this group's |the group |the )?settings"
         r"|cambi(?:ó|aste) (?:los ajustes|la configuración)"
         r"|(?:mudou|alterou) as configurações"),
        ("admin", r"now an admin|no longer an admin|ahora eres admin|ya no eres admin"
         r"|agora (?:você )?é (?:um )?admin"),
        ("disappearing", r"[Dd]isappearing messages|[Mm]ensajes temporales"
         r"|[Mm]ensagens temporárias"),
        ("pinned", r"pinned a message|fijó un mensaje|fixou uma mensagem"),
        ("blocked", r"^You (?:un)?blocked this contact|^(?:Des)?[Bb]loqueaste"
         r"|^Você (?:des)?bloqueou"),
        ("business", r"business account|cuenta de empresa|conta comercial"),
        ("missed_call", r"^Missed (?:group )?(?:voice|video) call"
         r"|^(?:Llamada|Videollamada)(?: de voz| grupal| de video)? perdida"
         r"|^Chamada(?: de voz| de vídeo| em grupo)? perdida"),
        ("call", r"^(?:Voice|Video|Group) call\b|^(?:Llamada|Videollamada)\b"
         r"|^(?:Chamada|Videochamada)\b"),
        ("left", r"(?: left| salió(?: del grupo)?| saiu(?: do grupo)?)$"
         r"|^(?:You left|Saliste|Você saiu)"),
        ("removed", r" removed | removed you$| elimin(?:ó|aste) a | te eliminó$"
         r"| removeu | removeu você$"),
        ("added", r" added | added you$|^You added | añadi(?:ó|ste) | agreg(?:ó|aste) "
         r"| te añadió$| te agregó$| adicionou "),
    )
)

# On Android a system line has no "Name: "; these events can still carry a ": " inside a
# group name, subject or description, so a "name" containing them is not an author.
_SYSTEM_IN_NAME = re.compile(
    r"changed the subject|changed the group|changed this group|created group"
    r"|cambi(?:ó|aste) (?:el asunto|el nombre|la descripción)|cre(?:ó|aste) el grupo"
    r"|(?:mudou|alterou) (?:o assunto|o nome|a descrição)|criou o grupo"
)
_MAX_AUTHOR_LEN = 100

_PHONE = re.compile(r"\+?[\d \-().\u00a0\u2011]{6,}")


def _system_event(text: str) -> str | None:
    for event, pattern in _SYSTEM_EVENTS:
        if pattern.search(text):
            return event
    return None
