"""Interface strings of the web pages, Indonesian first, English second.

``translator("en")("search.button")`` -> ``"Search"``. A key missing from STRINGS raises KeyError
at render time (a test renders every page in both languages), so no page shows a raw key.
Legal text, titles and metadata are never translated: they are shown as the law wrote them.

The language is chosen by ``?lang=id|en`` (remembered in the ``lang`` cookie), then the cookie,
then Indonesian.
"""
from __future__ import annotations

from typing import Callable

LANGS = ("id", "en")
DEFAULT_LANG = "id"
COOKIE = "lang"

# key -> (Indonesian, English); "{name}" placeholders are filled by str.format
STRINGS: dict[str, tuple[str, str]] = {
    # layout
    "site.name": ("JDIH Kota Malang", "JDIH Malang City"),
    "site.tagline": ("Basis pengetahuan peraturan: cari, baca, dan pahami aturan yang berlaku",
                     "Regulation knowledge base: search, read and understand the rules in force"),
    "skip": ("Langsung ke konten utama", "Skip to main content"),
    "nav.label": ("Navigasi utama", "Main navigation"),
    "nav.search": ("Cari", "Search"),
    "nav.ask": ("Tanya", "Ask"),
    "nav.dimensions": ("Smart City", "Smart City"),
    "nav.staff": ("Staf", "Staff"),
    "lang.switch": ("English", "Bahasa Indonesia"),
    "lang.switch_label": ("Switch to English", "Ganti ke Bahasa Indonesia"),
    "footer.json": ("Halaman ini dalam JSON", "This page as JSON"),
    "footer.api": ("Dokumentasi API", "API documentation"),
    "footer.note": ("Teks peraturan dikutip dari dokumen resmi; bukan nasihat hukum.",
                    "Regulation text is quoted from the official documents; this is not legal advice."),
    # status
    "status.berlaku": ("Berlaku", "In force"),
    "status.diubah": ("Diubah", "Amended"),
    "status.dicabut": ("Dicabut", "Revoked"),
    "status.label": ("Status", "Status"),
    "badge.metadata_only": ("Metadata saja", "Metadata only"),
    "badge.unverified": ("Metadata belum diverifikasi", "Metadata not yet verified"),
    # search
    "search.title": ("Cari peraturan", "Search regulations"),
    "search.label": ("Kata kunci atau pertanyaan", "Keywords or a question"),
    "search.placeholder": ("mis. pusat data, retribusi parkir, informasi publik",
                           "e.g. data centre, parking levy, public information"),
    "search.button": ("Cari", "Search"),
    "search.hint": ("Bahasa Indonesia atau Inggris. Hasil dikelompokkan per peraturan.",
                    "Indonesian or English. Results are grouped by regulation."),
    "search.results_for": ("{total} peraturan untuk “{q}”", "{total} regulations for “{q}”"),
    "search.browse_total": ("{total} peraturan", "{total} regulations"),
    "search.results": ("Hasil pencarian", "Search results"),
    "search.loading": ("Mencari…", "Searching…"),
    "search.passages": ("Pasal yang cocok", "Matching articles"),
    "search.more_passages": ("dan {n} pasal lain", "and {n} more articles"),
    "search.open": ("Buka peraturan", "Open regulation"),
    "search.mode": ("Metode", "Method"),
    "search.examples": ("Contoh pencarian", "Example searches"),
    "search.browse": ("Jelajahi semua peraturan", "Browse all regulations"),
    "search.corpus": ("Basis pengetahuan memuat {works} peraturan ({text} dengan teks lengkap).",
                      "The knowledge base holds {works} regulations ({text} with full text)."),
    "search.error": ("Pencarian tidak dapat diproses", "The search could not be processed"),
    "noresults.title": ("Tidak ada hasil", "No results"),
    "noresults.body": ("Tidak ada pasal yang cocok dengan “{q}”{filters}.",
                       "No article matches “{q}”{filters}."),
    "noresults.inexact": ("Tidak ada pasal yang memuat kata “{q}” persis; hasil di bawah hanya mirip maknanya.",
                          "No article contains the words “{q}” exactly; the results below are only close in meaning."),
    "noresults.with_filters": (" dengan filter yang dipilih", " with the selected filters"),
    "noresults.clear_filters": ("Hapus semua filter", "Clear all filters"),
    "noresults.spelling": ("Periksa ejaan. Mungkin maksud Anda:", "Check the spelling. Did you mean:"),
    "noresults.language": ("Coba istilah dalam bahasa lain:", "Try the term in the other language:"),
    "noresults.tips": ("Gunakan kata yang lebih umum atau lebih sedikit kata; istilah hukum Indonesia "
                       "(mis. “retribusi”, “perizinan”) biasanya memberi hasil terbaik.",
                       "Use fewer or more general words; Indonesian legal terms (e.g. “retribusi” "
                       "for levy, “perizinan” for licensing) usually work best."),
    "noresults.try": ("Atau coba:", "Or try:"),
    # facets
    "facets.title": ("Saring hasil", "Filter results"),
    "facets.jenis": ("Jenis", "Type"),
    "facets.tahun": ("Tahun", "Year"),
    "facets.status": ("Status", "Status"),
    "facets.dimension": ("Dimensi Smart City", "Smart City dimension"),
    "facets.remove": ("Hapus filter {name}", "Remove filter {name}"),
    "facets.active": ("Filter aktif", "Active filters"),
    "facets.apply": ("Terapkan", "Apply"),
    "facets.any": ("Semua", "Any"),
    # pagination
    "page.label": ("Halaman hasil", "Result pages"),
    "page.prev": ("‹ Sebelumnya", "‹ Previous"),
    "page.next": ("Berikutnya ›", "Next ›"),
    "page.of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    # ask
    "ask.title": ("Tanya aturan", "Ask which rule applies"),
    "ask.intro": ("Tulis pertanyaan; jawabannya adalah kutipan pasal dari peraturan, bukan teks buatan mesin.",
                  "Write a question; the answer quotes the articles of the law, never machine-written text."),
    "ask.label": ("Pertanyaan", "Question"),
    "ask.placeholder": ("mis. Aturan apa tentang pusat data pemerintah?",
                        "e.g. Which rule governs government data centres?"),
    "ask.button": ("Tanyakan", "Ask"),
    "ask.loading": ("Mencari jawaban…", "Looking for the answer…"),
    "ask.answer": ("Jawaban", "Answer"),
    "ask.governed_by": ("Diatur dalam", "Governed by"),
    "ask.confidence": ("Keyakinan", "Confidence"),
    "ask.confidence_value": ("{pct}% ({level})", "{pct}% ({level})"),
    "ask.level.high": ("tinggi", "high"),
    "ask.level.medium": ("sedang", "medium"),
    "ask.level.low": ("rendah", "low"),
    "ask.refused": ("Basis pengetahuan tidak memuat jawaban untuk pertanyaan ini.",
                    "The knowledge base holds no answer to this question."),
    "ask.refused_hint": ("Coba pencarian biasa, atau rumuskan ulang dengan istilah hukum.",
                         "Try a plain search, or rephrase with legal terms."),
    "ask.search_instead": ("Cari “{q}”", "Search for “{q}”"),
    "ask.basis.dimension": ("Dijawab dari tautan dimensi Smart City.", "Answered from the Smart City dimension links."),
    "ask.quote": ("Kutipan pasal", "Quoted article"),
    "ask.examples": ("Contoh pertanyaan", "Example questions"),
    "ask.strength": ("Kekuatan tautan", "Link strength"),
    # reader
    "reader.metadata": ("Data peraturan", "Regulation details"),
    "reader.toc": ("Daftar isi", "Contents"),
    "reader.toc_toggle": ("Daftar isi", "Contents"),
    "reader.body": ("Batang tubuh", "Body"),
    "reader.menimbang": ("Menimbang", "Considering"),
    "reader.mengingat": ("Mengingat", "Having regard to"),
    "reader.penjelasan": ("Penjelasan", "Elucidation"),
    "reader.penjelasan_umum": ("Penjelasan umum", "General elucidation"),
    "reader.lampiran": ("Lampiran", "Annex"),
    "reader.permalink": ("Tautan permanen", "Permalink"),
    "reader.copy": ("Salin kutipan", "Copy citation"),
    "reader.copied": ("Kutipan disalin", "Citation copied"),
    "reader.copy_failed": ("Salin manual: {text}", "Copy by hand: {text}"),
    "reader.metadata_only": ("Metadata saja, teks belum diunggah.", "Metadata only, the text has not been uploaded yet."),
    "reader.metadata_only_body": ("Peraturan ini tercatat di katalog, tetapi teks lengkapnya belum ada di basis pengetahuan. "
                                  "Yang diketahui tentangnya:",
                                  "This regulation is in the catalogue, but its full text is not yet in the knowledge base. "
                                  "What is known about it:"),
    "reader.revoked": ("Peraturan ini telah dicabut dan tidak berlaku lagi.", "This regulation has been revoked and is no longer in force."),
    "reader.amended": ("Peraturan ini telah diubah. Baca bersama perubahannya.",
                       "This regulation has been amended. Read it together with its amendments."),
    "reader.by": ("oleh", "by"),
    "reader.unverified": ("Metadata katalog ini belum diperiksa terhadap teks resmi.",
                          "This catalogue metadata has not yet been checked against the official text."),
    "reader.amendments": ("Butir perubahan", "Amendment items"),
    "reader.amendment_item": ("Angka {n}", "Item {n}"),
    "reader.changes": ("Mengubah", "Changes"),
    "reader.changed_by": ("Diubah oleh {by}, angka {item}", "Amended by {by}, item {item}"),
    "reader.new_text": ("Bunyi baru", "New text"),
    "reader.relations": ("Hubungan dengan peraturan lain", "Relations to other regulations"),
    "reader.no_relations": ("Tidak ada hubungan tercatat.", "No relations recorded."),
    "reader.not_in_corpus": ("belum ada di basis pengetahuan", "not yet in the knowledge base"),
    "reader.versions": ("Riwayat versi", "Version history"),
    "reader.no_versions": ("Satu versi (versi awal).", "One version (the original)."),
    "reader.download": ("Unduh berkas asli", "Download the original file"),
    "reader.files": ("Berkas", "Files"),
    "reader.dimensions": ("Dimensi Smart City", "Smart City dimensions"),
    "reader.warnings": ("Catatan pembacaan dokumen", "Notes from reading the document"),
    "reader.back_to_top": ("Kembali ke atas", "Back to top"),
    "reader.articles_count": ("{n} pasal", "{n} articles"),
    "reader.page": ("hlm. {page}", "p. {page}"),
    "reader.facts": ("Fakta katalog", "Catalogue facts"),
    "reader.outside": ("Pasal tanpa bab", "Articles outside a chapter"),
    # JDIHN fields
    "field.jenis": ("Jenis", "Type"),
    "field.nomor": ("Nomor", "Number"),
    "field.tahun": ("Tahun", "Year"),
    "field.judul": ("Judul", "Title"),
    "field.tempat": ("Tempat penetapan", "Place of enactment"),
    "field.tanggal_penetapan": ("Tanggal penetapan", "Date enacted"),
    "field.tanggal_pengundangan": ("Tanggal pengundangan", "Date promulgated"),
    "field.sumber": ("Sumber", "Source"),
    "field.subjek": ("Subjek", "Subject"),
    "field.bidangHukum": ("Bidang hukum", "Field of law"),
    "field.teuBadan": ("T.E.U. badan", "Corporate author"),
    "field.penerbit": ("Penerbit", "Publisher"),
    "field.bahasa": ("Bahasa", "Language"),
    "field.deskripsiFisik": ("Deskripsi fisik", "Physical description"),
    "field.region": ("Daerah", "Region"),
    "field.id": ("Kode", "Identifier"),
    "field.uri": ("Tautan permanen", "Permalink"),
    "field.updated": ("Diperbarui", "Updated"),
    # relation types (active and passive)
    "rel.mengubah": ("Mengubah", "Amends"),
    "rel.mencabut": ("Mencabut", "Revokes"),
    "rel.mencabut_sebagian": ("Mencabut sebagian", "Partly revokes"),
    "rel.diubah_dengan": ("Diubah dengan", "Amended by"),
    "rel.dicabut_dengan": ("Dicabut dengan", "Revoked by"),
    "rel.dicabut_sebagian_dengan": ("Dicabut sebagian dengan", "Partly revoked by"),
    "rel.melaksanakan": ("Melaksanakan", "Implements"),
    "rel.dilaksanakan_dengan": ("Dilaksanakan dengan", "Implemented by"),
    "rel.mengingat": ("Mengingat", "Refers to"),
    # dimensions
    "dim.title": ("Penjelajah Smart City", "Smart City explorer"),
    "dim.intro": ("Enam dimensi Gerakan Menuju 100 Smart City (Kominfo) dan peraturan yang mendukung masing-masing, "
                  "dengan pasal sebagai bukti.",
                  "The six dimensions of the 100 Smart Cities Movement (Kominfo) and the regulations that serve each, "
                  "with the articles as evidence."),
    "dim.chart_title": ("Jumlah peraturan per dimensi", "Regulations per dimension"),
    "dim.chart_desc": ("Diagram batang. {summary}", "Bar chart. {summary}"),
    "dim.table_caption": ("Jumlah peraturan per dimensi dan subdimensi", "Regulations per dimension and sub-dimension"),
    "dim.dimension": ("Dimensi", "Dimension"),
    "dim.subdimensions": ("Subdimensi", "Sub-dimensions"),
    "dim.regulations": ("Peraturan", "Regulations"),
    "dim.n_regulations": ("{n} peraturan", "{n} regulations"),
    "dim.linked": ("Peraturan terkait", "Linked regulations"),
    "dim.none": ("Belum ada peraturan yang terkait dengan dimensi ini.", "No regulation is linked to this dimension yet."),
    "dim.evidence": ("Pasal bukti", "Evidence articles"),
    "dim.curated": ("ditetapkan kurator", "set by a curator"),
    "dim.automatic": ("otomatis", "automatic"),
    "dim.strength": ("kekuatan {pct}%", "strength {pct}%"),
    "dim.sub_note": ("Subdimensi dihitung dari istilah bukti pada pasal; tautan kurator tanpa pasal bukti tidak masuk hitungan subdimensi.",
                     "Sub-dimensions are counted from the evidence terms in the articles; curated links without evidence articles are not counted per sub-dimension."),
    "dim.all": ("Semua dimensi", "All dimensions"),
    "dim.search": ("Cari dalam dimensi ini", "Search within this dimension"),
    "dim.terms": ("istilah", "terms"),
    # staff
    "staff.title": ("Ruang staf", "Staff area"),
    "staff.signin": ("Masuk dengan token", "Sign in with a token"),
    "staff.token": ("Token staf", "Staff token"),
    "staff.token_help": ("Token dibuat oleh admin dengan `jdih token create --role staff --name …`. "
                         "Token disimpan di sesi tab ini saja dan hilang saat tab ditutup.",
                         "An admin creates tokens with `jdih token create --role staff --name …`. "
                         "The token is kept in this tab's session only and is gone when the tab closes."),
    "staff.signin_button": ("Masuk", "Sign in"),
    "staff.signout": ("Keluar", "Sign out"),
    "staff.signed_in": ("Masuk sebagai {name} ({role})", "Signed in as {name} ({role})"),
    "staff.upload": ("Unggah peraturan", "Upload a regulation"),
    "staff.drop": ("Tarik berkas ke sini, atau pilih berkas", "Drag a file here, or choose a file"),
    "staff.file": ("Berkas", "File"),
    "staff.allowed": ("Jenis yang diterima: PDF (teks atau hasil pindai), .txt, .md. Ukuran maksimum: {size}.",
                      "Accepted: PDF (text or scanned), .txt, .md. Maximum size: {size}."),
    "staff.metadata": ("Metadata (opsional, diisi dari dokumen bila kosong)",
                       "Metadata (optional; read from the document when left empty)"),
    "staff.metadata_only": ("Simpan sebagai metadata saja bila teks tidak berisi pasal",
                            "Store as metadata only if the text yields no articles"),
    "staff.submit": ("Unggah", "Upload"),
    "staff.job": ("Proses", "Processing"),
    "staff.job_state": ("Status: {state}", "State: {state}"),
    "staff.done": ("Selesai. Peraturan dapat dicari:", "Done. The regulation is searchable:"),
    "staff.failed": ("Gagal", "Failed"),
    "staff.rejected": ("Berkas ditolak", "File rejected"),
    "staff.need_token": ("Masuk dulu dengan token staf.", "Sign in with a staff token first."),
    "staff.bad_token": ("Token tidak diterima.", "The token was not accepted."),
    "staff.no_api": ("Layanan unggah belum tersedia di server ini.", "The upload service is not available on this server."),
    "staff.edit": ("Ubah metadata", "Edit metadata"),
    "staff.edit_id": ("Kode peraturan", "Regulation identifier"),
    "staff.load": ("Muat", "Load"),
    "staff.save": ("Simpan", "Save"),
    "staff.saved": ("Tersimpan.", "Saved."),
    "staff.relations": ("Hubungan", "Relations"),
    "staff.relation_type": ("Jenis hubungan", "Relation type"),
    "staff.relation_target": ("Peraturan tujuan (kode)", "Target regulation (identifier)"),
    "staff.relation_add": ("Tambah hubungan", "Add relation"),
    "staff.recent": ("Unggahan sesi ini", "Uploads in this session"),
    # errors
    "error.title": ("Terjadi kesalahan", "Something went wrong"),
    "error.not_found": ("Halaman atau peraturan tidak ditemukan.", "The page or regulation was not found."),
    "error.home": ("Kembali ke pencarian", "Back to search"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang`` (``id`` or ``en``)."""
    i = 1 if lang == "en" else 0

    def t(key: str, **values) -> str:
        text = STRINGS[key][i]
        return text.format(**values) if values else text

    return t


def pick_lang(query_value: str | None, cookie_value: str | None) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie)."""
    if query_value in LANGS:
        return query_value, query_value != cookie_value
    if cookie_value in LANGS:
        return cookie_value, False
    return DEFAULT_LANG, False
