import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Highlight } from "./Highlight";

describe("Highlight", () => {
  it("renders parts as text, matches in <mark>, and never markup from the body", () => {
    const { container } = render(
      <Highlight
        parts={[
          { text: "see <img src=x onerror=alert(1)> and <b>", match: false },
          { text: "tip", match: true },
          { text: "</b> &amp; more", match: false },
        ]}
      />,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect([...container.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["tip"]);
    expect(container.textContent).toBe("see <img src=x onerror=alert(1)> and <b>tip</b> &amp; more");
  });
});
