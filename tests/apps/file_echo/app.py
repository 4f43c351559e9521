"""Files in, the same files out, byte for byte: one endpoint per file-typed component.

``/digest`` reports what the server received (name, size, sha256) so uploads can be checked apart
from downloads. ``build(**launch_kwargs)`` is shared with ``file_guarded``.
"""

import hashlib
import os
import tempfile

import gradio as gr


def _sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def digest(path: str) -> str:
    return f"{os.path.basename(path)}|{os.path.getsize(path)}|{_sha256(path)}"


def make_file(size: float) -> tuple[str, str]:
    """A new file of ``size`` bytes made on the server (for download benchmarks), and its sha256."""
    path = os.path.join(tempfile.mkdtemp(), "made.bin")
    block, left = os.urandom(1 << 20), int(size)
    with open(path, "wb") as f:
        while left > 0:
            f.write(block[:left])
            left -= len(block)
    return path, _sha256(path)


def echo(value):
    return value


def echo_pair(a: str, b: str) -> tuple[str, str]:
    return a, b


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        f_in, f_out = gr.File(type="filepath"), gr.File()
        gr.Button("file").click(echo, f_in, f_out, api_name="file")

        d_in, d_out = gr.File(type="filepath"), gr.Textbox()
        gr.Button("digest").click(digest, d_in, d_out, api_name="digest")

        m_in, m_out = gr.File(file_count="multiple", type="filepath"), gr.File(
            file_count="multiple"
        )
        gr.Button("files").click(echo, m_in, m_out, api_name="files")

        a, b = gr.File(type="filepath"), gr.File(type="filepath")
        a_out, b_out = gr.File(), gr.File()
        gr.Button("pair").click(echo_pair, [a, b], [a_out, b_out], api_name="pair")

        i_in, i_out = gr.Image(type="filepath"), gr.Image(type="filepath")
        gr.Button("image").click(echo, i_in, i_out, api_name="image")

        au_in, au_out = gr.Audio(type="filepath"), gr.Audio(type="filepath")
        gr.Button("audio").click(echo, au_in, au_out, api_name="audio")

        v_in, v_out = gr.Video(), gr.Video()
        gr.Button("video").click(echo, v_in, v_out, api_name="video")

        g_in, g_out = gr.Gallery(type="filepath"), gr.Gallery()
        gr.Button("gallery").click(echo, g_in, g_out, api_name="gallery")

        t_in, t_out = gr.Model3D(), gr.Model3D()
        gr.Button("model3d").click(echo, t_in, t_out, api_name="model3d")

        size, made, made_sha = gr.Number(value=1024, precision=0), gr.File(), gr.Textbox()
        gr.Button("make").click(make_file, size, [made, made_sha], api_name="make_file")
    return demo


if __name__ == "__main__":
    build().launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
