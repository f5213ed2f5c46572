/* The letter's body in a rich-text editor (pell, static/vendor/pell), so that staff need not write HTML.
 *
 * The textarea stays the form's field: the editor writes its HTML back into it on every change and before
 * the form is sent, and the server sanitises it with nh3 as before. Without JavaScript the textarea is
 * shown and works as it always did. Only the tags the server keeps are offered (bold and italic are written
 * as <strong> and <em>, which it keeps, rather than the <b> and <i> the browser makes).
 */
(function () {
  "use strict";

  var RENAMED = { B: "strong", I: "em", DIV: "p" };

  function rename(root) {
    Object.keys(RENAMED).forEach(function (tag) {
      root.querySelectorAll(tag.toLowerCase()).forEach(function (node) {
        var replacement = document.createElement(RENAMED[tag]);
        while (node.firstChild) {
          replacement.appendChild(node.firstChild);
        }
        node.replaceWith(replacement);
      });
    });
    return root;
  }

  function html(content) {
    var copy = content.cloneNode(true);
    return rename(copy).innerHTML;
  }

  function block(tag) {
    return function () {
      return window.pell.exec("formatBlock", "<" + tag + ">");
    };
  }

  function start(textarea) {
    var holder = document.createElement("div");
    holder.className = "letter-editor";
    textarea.parentNode.insertBefore(holder, textarea);
    var editor = window.pell.init({
      element: holder,
      defaultParagraphSeparator: "p",
      styleWithCSS: false,
      onChange: function () {
        textarea.value = html(editor.content);
      },
      actions: [
        // Words rather than symbols: each button's name is what it shows.
        { name: "bold", icon: "<strong>Bold</strong>", title: "Bold" },
        { name: "italic", icon: "<em>Italic</em>", title: "Italic" },
        { name: "heading2", icon: "Heading", title: "Heading", result: block("h2") },
        { name: "paragraph", icon: "Paragraph", title: "Paragraph", result: block("p") },
        { name: "ulist", icon: "Bulleted list", title: "Bulleted list" },
        { name: "olist", icon: "Numbered list", title: "Numbered list" },
        { name: "quote", icon: "Quotation", title: "Quotation" },
      ],
    });
    var toolbar = holder.querySelector(".pell-actionbar");
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting of the letter");
    toolbar.setAttribute("aria-controls", textarea.id + "-editor");

    var content = editor.content;
    content.id = textarea.id + "-editor";
    content.setAttribute("role", "textbox");
    content.setAttribute("aria-multiline", "true");
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      label.id = label.id || textarea.id + "-label";
      content.setAttribute("aria-labelledby", label.id);
      // The label now names the editor; a click on it goes there, not to the hidden textarea.
      label.addEventListener("click", function (event) {
        event.preventDefault();
        content.focus();
      });
    }
    var help = textarea.getAttribute("aria-describedby");
    if (help) {
      content.setAttribute("aria-describedby", help);
    }
    content.innerHTML = textarea.value;
    textarea.hidden = true;
    holder.classList.add("letter-editor-ready");
    textarea.form.addEventListener("submit", function () {
      textarea.value = html(content);
    });
  }

  function startAll() {
    document.querySelectorAll("textarea[data-rich-text]").forEach(start);
  }

  // The admin loads its scripts in the page's head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
