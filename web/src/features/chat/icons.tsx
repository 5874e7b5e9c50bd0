/** Icons as inline SVG in the text colour (emoji depend on the fonts a system has). */

export function PaperclipIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" focusable="false" aria-hidden="true">
      <path
        d="M10.5 4.5 5.3 9.7a1.4 1.4 0 0 0 2 2l5.6-5.6a2.8 2.8 0 0 0-4-4L3.3 7.7a4.2 4.2 0 0 0 6 6L14 9"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function FileIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" focusable="false" aria-hidden="true">
      <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinejoin="round" />
    </svg>
  );
}
