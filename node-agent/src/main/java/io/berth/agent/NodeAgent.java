package io.berth.agent;

public final class NodeAgent {
    public static void main(String[] args) {
        System.out.println("berth node agent");
    }
}
