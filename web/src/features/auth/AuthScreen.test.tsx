import { onRequest, requestsTo, resetFetch } from "../../lib/testing/fetchMock";

import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import "../../lib/testing/render"; // cleanup between tests
import { AuthScreen } from "./AuthScreen";

beforeEach(() => resetFetch());

describe("AuthScreen", () => {
  it("signs up after switching, and shows the server's reason for refusing", async () => {
    onRequest("POST", "/api/auth/register", {
      status: 400,
      body: { code: "password_too_common", message: "this password is too common; choose another" },
    });
    render(<AuthScreen notice={null} />);
    await userEvent.click(screen.getByRole("button", { name: "Create an account" }));
    await userEvent.type(screen.getByLabelText("Username"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "password123");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("this password is too common; choose another");
    const [request] = requestsTo("POST", "/api/auth/register");
    expect(await request!.json()).toEqual({ username: "alice", password: "password123" });
  });

  it("signs in by default", async () => {
    onRequest("POST", "/api/auth/login", { status: 401, body: { code: "invalid_credentials", message: "wrong username or password" } });
    render(<AuthScreen notice={null} />);
    await userEvent.type(screen.getByLabelText("Username"), "alice");
    await userEvent.type(screen.getByLabelText("Password"), "nope nope nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong username or password");
    expect(requestsTo("POST", "/api/auth/login")).toHaveLength(1);
  });
});
